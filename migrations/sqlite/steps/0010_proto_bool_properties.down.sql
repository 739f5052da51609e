-- MLMD schema 10 -> 9 (SQLite): the property tables lose proto_value and
-- bool_value (they are rebuilt). A property row that held a proto or a
-- boolean stays, with no value left, as MLMD leaves it. The rebuild drops
-- the value indexes, which version 9 has, so they are created again.

CREATE TABLE `ArtifactPropertyTemp` (
  `artifact_id` INT NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `is_custom_property` TINYINT(1) NOT NULL,
  `int_value` INT,
  `double_value` DOUBLE,
  `string_value` TEXT,
  `byte_value` BLOB,
  PRIMARY KEY (`artifact_id`, `name`, `is_custom_property`)
);
INSERT INTO `ArtifactPropertyTemp`
  SELECT `artifact_id`, `name`, `is_custom_property`, `int_value`,
         `double_value`, `string_value`, `byte_value`
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
  `byte_value` BLOB,
  PRIMARY KEY (`execution_id`, `name`, `is_custom_property`)
);
INSERT INTO `ExecutionPropertyTemp`
  SELECT `execution_id`, `name`, `is_custom_property`, `int_value`,
         `double_value`, `string_value`, `byte_value`
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
  `byte_value` BLOB,
  PRIMARY KEY (`context_id`, `name`, `is_custom_property`)
);
INSERT INTO `ContextPropertyTemp`
  SELECT `context_id`, `name`, `is_custom_property`, `int_value`,
         `double_value`, `string_value`, `byte_value`
  FROM `ContextProperty`;
DROP TABLE `ContextProperty`;
ALTER TABLE `ContextPropertyTemp` RENAME TO `ContextProperty`;

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
