-- MLMD schema 8 -> 7 (SQLite): Event loses its UNIQUE constraint (rebuilt,
-- ids kept) and gets back its two version-7 indexes; the property value
-- indexes go.

CREATE TABLE `EventTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `artifact_id` INT NOT NULL,
  `execution_id` INT NOT NULL,
  `type` INT NOT NULL,
  `milliseconds_since_epoch` INT
);
INSERT INTO `EventTemp`(`id`, `artifact_id`, `execution_id`, `type`,
                        `milliseconds_since_epoch`)
  SELECT `id`, `artifact_id`, `execution_id`, `type`,
         `milliseconds_since_epoch`
  FROM `Event`;
DELETE FROM sqlite_sequence WHERE name = 'EventTemp';
UPDATE sqlite_sequence SET name = 'EventTemp' WHERE name = 'Event';
DROP TABLE `Event`;
ALTER TABLE `EventTemp` RENAME TO `Event`;
CREATE INDEX IF NOT EXISTS `idx_event_artifact_id` ON `Event`(`artifact_id`);
CREATE INDEX IF NOT EXISTS `idx_event_execution_id` ON `Event`(`execution_id`);

DROP INDEX IF EXISTS `idx_artifact_property_int`;
DROP INDEX IF EXISTS `idx_artifact_property_double`;
DROP INDEX IF EXISTS `idx_artifact_property_string`;
DROP INDEX IF EXISTS `idx_execution_property_int`;
DROP INDEX IF EXISTS `idx_execution_property_double`;
DROP INDEX IF EXISTS `idx_execution_property_string`;
DROP INDEX IF EXISTS `idx_context_property_int`;
DROP INDEX IF EXISTS `idx_context_property_double`;
DROP INDEX IF EXISTS `idx_context_property_string`;
