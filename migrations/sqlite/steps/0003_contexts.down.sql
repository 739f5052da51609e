-- MLMD schema 3 -> 2 (SQLite): contexts and their properties are dropped.

DROP TABLE IF EXISTS `Context`;
DROP TABLE IF EXISTS `ContextProperty`;
