-- MLMD schema 4 -> 5 (SQLite): artifacts and executions get a state, a name
-- unique per type and create/update times; contexts get the times. Artifact
-- and Execution are rebuilt (the new UNIQUE constraint cannot be added in
-- place); existing rows keep their ids and get NULL state and name and time
-- 0. Context only gains columns.

CREATE TABLE `ArtifactTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `uri` TEXT,
  `state` INT,
  `name` VARCHAR(255),
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`)
);
INSERT INTO `ArtifactTemp`(`id`, `type_id`, `uri`)
  SELECT `id`, `type_id`, `uri` FROM `Artifact`;
DELETE FROM sqlite_sequence WHERE name = 'ArtifactTemp';
UPDATE sqlite_sequence SET name = 'ArtifactTemp' WHERE name = 'Artifact';
DROP TABLE `Artifact`;
ALTER TABLE `ArtifactTemp` RENAME TO `Artifact`;

CREATE TABLE `ExecutionTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `last_known_state` INT,
  `name` VARCHAR(255),
  `create_time_since_epoch` INT NOT NULL DEFAULT 0,
  `last_update_time_since_epoch` INT NOT NULL DEFAULT 0,
  UNIQUE(`type_id`, `name`)
);
INSERT INTO `ExecutionTemp`(`id`, `type_id`)
  SELECT `id`, `type_id` FROM `Execution`;
DELETE FROM sqlite_sequence WHERE name = 'ExecutionTemp';
UPDATE sqlite_sequence SET name = 'ExecutionTemp' WHERE name = 'Execution';
DROP TABLE `Execution`;
ALTER TABLE `ExecutionTemp` RENAME TO `Execution`;

ALTER TABLE `Context`
  ADD COLUMN `create_time_since_epoch` INT NOT NULL DEFAULT 0;
ALTER TABLE `Context`
  ADD COLUMN `last_update_time_since_epoch` INT NOT NULL DEFAULT 0;
