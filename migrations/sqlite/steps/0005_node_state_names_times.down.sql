-- MLMD schema 5 -> 4 (SQLite): artifacts, executions and contexts lose
-- their state, name (artifacts and executions) and times; the tables are
-- rebuilt with the version-4 columns and the same ids.

CREATE TABLE `ArtifactTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `uri` TEXT
);
INSERT INTO `ArtifactTemp`(`id`, `type_id`, `uri`)
  SELECT `id`, `type_id`, `uri` FROM `Artifact`;
DELETE FROM sqlite_sequence WHERE name = 'ArtifactTemp';
UPDATE sqlite_sequence SET name = 'ArtifactTemp' WHERE name = 'Artifact';
DROP TABLE `Artifact`;
ALTER TABLE `ArtifactTemp` RENAME TO `Artifact`;

CREATE TABLE `ExecutionTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL
);
INSERT INTO `ExecutionTemp`(`id`, `type_id`)
  SELECT `id`, `type_id` FROM `Execution`;
DELETE FROM sqlite_sequence WHERE name = 'ExecutionTemp';
UPDATE sqlite_sequence SET name = 'ExecutionTemp' WHERE name = 'Execution';
DROP TABLE `Execution`;
ALTER TABLE `ExecutionTemp` RENAME TO `Execution`;

CREATE TABLE `ContextTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `type_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  UNIQUE(`type_id`, `name`)
);
INSERT INTO `ContextTemp`(`id`, `type_id`, `name`)
  SELECT `id`, `type_id`, `name` FROM `Context`;
DELETE FROM sqlite_sequence WHERE name = 'ContextTemp';
UPDATE sqlite_sequence SET name = 'ContextTemp' WHERE name = 'Context';
DROP TABLE `Context`;
ALTER TABLE `ContextTemp` RENAME TO `Context`;
