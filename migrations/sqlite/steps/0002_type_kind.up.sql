-- MLMD schema 1 -> 2 (SQLite): Type.is_artifact_type becomes type_kind, so
-- that a third kind (context types, 2) can exist. SQLite cannot rename the
-- column in place on every version MLMD supported, so the table is rebuilt
-- and its ids kept.
--
-- Every rebuild in steps/ also hands the old table's AUTOINCREMENT counter
-- (its sqlite_sequence row) to the new table before dropping the old one:
-- ids of deleted rows are never given out again, as on a table that was
-- never rebuilt.

CREATE TABLE `TypeTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `name` VARCHAR(255) NOT NULL,
  `type_kind` TINYINT(1) NOT NULL,
  `input_type` TEXT,
  `output_type` TEXT
);
INSERT INTO `TypeTemp`(`id`, `name`, `type_kind`, `input_type`, `output_type`)
  SELECT `id`, `name`, `is_artifact_type`, `input_type`, `output_type`
  FROM `Type`;
DELETE FROM sqlite_sequence WHERE name = 'TypeTemp';
UPDATE sqlite_sequence SET name = 'TypeTemp' WHERE name = 'Type';
DROP TABLE `Type`;
ALTER TABLE `TypeTemp` RENAME TO `Type`;
