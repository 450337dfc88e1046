"""One module per command (publish, compose-publish, login, pull, lifecycle-preview): each wires the layers
below for one job and returns results; printing them is the CLI's."""
