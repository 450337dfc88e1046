"""The top layer: the argument parser, settings from arguments, output (tables, ``--json``, progress) and the
console script. Imports every layer below; nothing imports it."""
