"""Progress output: plain lines off a terminal, a redrawn block with bytes per layer on one."""
import io

from image_pipeline.cli.progress import LiveProgress, PlainProgress, human_bytes
from image_pipeline.core.events import LayerEvent


def test_plain_progress_prints_one_line_per_finished_layer_with_its_size():
    out = io.StringIO()
    progress = PlainProgress(out)

    progress.layer("dev/us-east-1", LayerEvent("abc", "Pushing", 10, 2_000_000))
    progress.layer("dev/us-east-1", LayerEvent("abc", "Pushed"))

    assert out.getvalue() == "[dev/us-east-1] layer abc: Pushed (2.0 MB)\n"


def test_live_progress_shows_each_destination_with_bytes_per_layer():
    out = io.StringIO()
    progress = LiveProgress(out, interval=0)

    progress.state("dev/us-east-1", "pushing")
    progress.state("prod/eu-west-1", "pushing")
    progress.layer("dev/us-east-1", LayerEvent("aaaaaaaa", "Pushing", 1_500_000, 3_000_000))
    progress.layer("prod/eu-west-1", LayerEvent("bbbbbbbb", "Layer already exists"))

    screen = out.getvalue().rsplit("\x1b[J", 1)[-1].splitlines()
    assert screen[0].startswith("dev/us-east-1") and "aaaaaa 1.5 MB/3.0 MB" in screen[0]
    assert screen[1].startswith("prod/eu-west-1") and "bbbbbb done" in screen[1]


def test_human_bytes():
    assert [human_bytes(n) for n in (5, 1_500, 2_500_000, 3_200_000_000)] == ["5 B", "1.5 kB", "2.5 MB", "3.2 GB"]


def test_a_mounted_layer_is_reported_once_and_a_second_push_to_the_destination_reports_its_layers_again():
    import io

    from image_pipeline.cli.progress import PlainProgress
    from image_pipeline.core.events import LayerEvent

    out = io.StringIO()
    progress = PlainProgress(out)
    progress.state("dev/us-east-1", "pushing")
    progress.layer("dev/us-east-1", LayerEvent("abc", "Pushed", 10, 10))
    progress.state("dev/us-east-1", "pushing")
    progress.layer("dev/us-east-1", LayerEvent("abc", "Mounted from team/app", 10, 10))
    progress.layer("dev/us-east-1", LayerEvent("abc", "Mounted from team/app", 10, 10))

    assert out.getvalue().count("layer abc: Pushed (10 B)") == 1
    assert out.getvalue().count("layer abc: Mounted from team/app (10 B)") == 1
