/*
 * The JSON line as a sink of the walk: included by _fastline.c, after the walk, before its method table.
 */
#define JSON_SINK_METHODS
