-- MLMD schema 2 -> 1 (SQLite): back to Type.is_artifact_type. Version 1
-- has no context types, so they are deleted (their TypeProperty rows stay,
-- as MLMD leaves them).

DELETE FROM `Type` WHERE `type_kind` = 2;
CREATE TABLE `TypeTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `name` VARCHAR(255) NOT NULL,
  `is_artifact_type` TINYINT(1) NOT NULL,
  `input_type` TEXT,
  `output_type` TEXT
);
INSERT INTO `TypeTemp`(`id`, `name`, `is_artifact_type`, `input_type`,
                       `output_type`)
  SELECT `id`, `name`, `type_kind`, `input_type`, `output_type` FROM `Type`;
DELETE FROM sqlite_sequence WHERE name = 'TypeTemp';
UPDATE sqlite_sequence SET name = 'TypeTemp' WHERE name = 'Type';
DROP TABLE `Type`;
ALTER TABLE `TypeTemp` RENAME TO `Type`;
