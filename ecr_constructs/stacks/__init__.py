"""The stacks: ``RegistryStack``, one per (environment, region) (``registry_stack``), the spec's repositories as
constructs with their outputs (``spec_repositories``), the publisher put into the registry stacks
(``publisher``), and the organization's StackSets (``stack_set``, ``stack_set_template``,
``organization_stack``). Builds on the construct layers below."""
