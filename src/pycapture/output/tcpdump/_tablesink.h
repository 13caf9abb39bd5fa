/*
 * A table's row as a sink of the walk: included by _fastline.c, after the walk, before its method table.
 */
#define TABLE_SINK_METHODS
