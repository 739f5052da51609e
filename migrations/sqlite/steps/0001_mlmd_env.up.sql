-- MLMD schema 0 -> 1 (SQLite). MLMD 0.13.2 kept no version; version 1 adds
-- MLMDEnv with its single row. The runner then records version 1 in it,
-- as after every step.

CREATE TABLE IF NOT EXISTS `MLMDEnv` (
  `schema_version` INTEGER PRIMARY KEY
);
INSERT INTO `MLMDEnv`(`schema_version`) VALUES (0);
