-- Nothing to undo: the replaced value was never a valid one.
SELECT 1;
