-- MLMD schema 4 -> 3 (SQLite): associations and attributions are dropped.

DROP TABLE IF EXISTS `Association`;
DROP TABLE IF EXISTS `Attribution`;
