-- MLMD schema 1 -> 0 (SQLite). Version 0 is recognised by its tables alone,
-- so the version row goes with its table.

DROP TABLE IF EXISTS `MLMDEnv`;
