-- MLMD schema 7 -> 8 (SQLite): value indexes on the property tables, and
-- UNIQUE(artifact_id, execution_id, type) on Event. Event is rebuilt by
-- copying in descending id order with INSERT OR IGNORE, so of duplicate
-- events the one with the highest id stays; the path steps of the dropped
-- events (and of any event no longer in Event) are deleted. The unique
-- index replaces idx_event_artifact_id, which goes with the old table.

CREATE INDEX IF NOT EXISTS `idx_artifact_property_int`
  ON `ArtifactProperty`(`name`, `is_custom_property`, `int_value`)
  WHERE `int_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_artifact_property_double`
  ON `ArtifactProperty`(`name`, `is_custom_property`, `double_value`)
  WHERE `double_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_artifact_property_string`
  ON `ArtifactProperty`(`name`, `is_custom_property`, `string_value`)
  WHERE `string_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_execution_property_int`
  ON `ExecutionProperty`(`name`, `is_custom_property`, `int_value`)
  WHERE `int_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_execution_property_double`
  ON `ExecutionProperty`(`name`, `is_custom_property`, `double_value`)
  WHERE `double_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_execution_property_string`
  ON `ExecutionProperty`(`name`, `is_custom_property`, `string_value`)
  WHERE `string_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_context_property_int`
  ON `ContextProperty`(`name`, `is_custom_property`, `int_value`)
  WHERE `int_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_context_property_double`
  ON `ContextProperty`(`name`, `is_custom_property`, `double_value`)
  WHERE `double_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_context_property_string`
  ON `ContextProperty`(`name`, `is_custom_property`, `string_value`)
  WHERE `string_value` IS NOT NULL;

CREATE TABLE `EventTemp` (
  `id` INTEGER PRIMARY KEY AUTOINCREMENT,
  `artifact_id` INT NOT NULL,
  `execution_id` INT NOT NULL,
  `type` INT NOT NULL,
  `milliseconds_since_epoch` INT,
  UNIQUE(`artifact_id`, `execution_id`, `type`)
);
INSERT OR IGNORE INTO `EventTemp`(`id`, `artifact_id`, `execution_id`, `type`,
                                  `milliseconds_since_epoch`)
  SELECT `id`, `artifact_id`, `execution_id`, `type`,
         `milliseconds_since_epoch`
  FROM `Event` ORDER BY `id` DESC;
DELETE FROM sqlite_sequence WHERE name = 'EventTemp';
UPDATE sqlite_sequence SET name = 'EventTemp' WHERE name = 'Event';
DROP TABLE `Event`;
ALTER TABLE `EventTemp` RENAME TO `Event`;
CREATE INDEX IF NOT EXISTS `idx_event_execution_id` ON `Event`(`execution_id`);
DELETE FROM `EventPath` WHERE `event_id` NOT IN (SELECT `id` FROM `Event`);
