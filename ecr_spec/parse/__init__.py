"""Reading a spec document into the model: the whole spec, its registry, repository, organization and creation-template sections, StackSet checks; every problem collected, then raised once."""
