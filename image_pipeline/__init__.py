"""image_pipeline: publish images into the ECR repositories the registry spec deploys (build once, push to
every account and region, pull and verify, preview lifecycle policies). Never imports aws_cdk."""
