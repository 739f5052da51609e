-- MLMD schema 7 -> 6 (SQLite): the property tables lose byte_value (they
-- are rebuilt; property tables have no AUTOINCREMENT counter to keep), and
-- the EventPath index goes.

CREATE TABLE `ArtifactPropertyTemp` (
  `artifact_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `is_custom_property` TINYINT(1) NOT NULL,
  `int_value` INT,
  `double_value` DOUBLE,
  `string_value` TEXT,
  PRIMARY KEY (`artifact_id`, `name`, `is_custom_property`)
);
INSERT INTO `ArtifactPropertyTemp`
  SELECT `artifact_id`, `name`, `is_custom_property`, `int_value`,
         `double_value`, `string_value`
  FROM `ArtifactProperty`;
DROP TABLE `ArtifactProperty`;
ALTER TABLE `ArtifactPropertyTemp` RENAME TO `ArtifactProperty`;

CREATE TABLE `ExecutionPropertyTemp` (
  `execution_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `is_custom_property` TINYINT(1) NOT NULL,
  `int_value` INT,
  `double_value` DOUBLE,
  `string_value` TEXT,
  PRIMARY KEY (`execution_id`, `name`, `is_custom_property`)
);
INSERT INTO `ExecutionPropertyTemp`
  SELECT `execution_id`, `name`, `is_custom_property`, `int_value`,
         `double_value`, `string_value`
  FROM `ExecutionProperty`;
DROP TABLE `ExecutionProperty`;
ALTER TABLE `ExecutionPropertyTemp` RENAME TO `ExecutionProperty`;

CREATE TABLE `ContextPropertyTemp` (
  `context_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `is_custom_property` TINYINT(1) NOT NULL,
  `int_value` INT,
  `double_value` DOUBLE,
  `string_value` TEXT,
  PRIMARY KEY (`context_id`, `name`, `is_custom_property`)
);
INSERT INTO `ContextPropertyTemp`
  SELECT `context_id`, `name`, `is_custom_property`, `int_value`,
         `double_value`, `string_value`
  FROM `ContextProperty`;
DROP TABLE `ContextProperty`;
ALTER TABLE `ContextPropertyTemp` RENAME TO `ContextProperty`;

DROP INDEX IF EXISTS `idx_eventpath_event_id`;
