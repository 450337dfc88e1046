"""The bottom layer: errors, deadlines and cancellation, the retry policy, scratch space and the events other
layers report through. Imports nothing of ours."""
