-- MLMD schema 9 -> 10 (SQLite): proto_value and bool_value on the property
-- tables, at the end of each table as in a fresh version-10 database.

ALTER TABLE `ArtifactProperty` ADD COLUMN `proto_value` BLOB;
ALTER TABLE `ArtifactProperty` ADD COLUMN `bool_value` BOOLEAN;
ALTER TABLE `ExecutionProperty` ADD COLUMN `proto_value` BLOB;
ALTER TABLE `ExecutionProperty` ADD COLUMN `bool_value` BOOLEAN;
ALTER TABLE `ContextProperty` ADD COLUMN `proto_value` BLOB;
ALTER TABLE `ContextProperty` ADD COLUMN `bool_value` BOOLEAN;
