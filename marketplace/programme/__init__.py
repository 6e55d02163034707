"""The programme: schemes, batches and selection, the online test, a participant's standing."""
