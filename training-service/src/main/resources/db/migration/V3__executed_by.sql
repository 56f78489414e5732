-- Which instance finished the run: with the attempts count, it shows how a group shared its runs.
ALTER TABLE training_run ADD COLUMN executed_by text;
