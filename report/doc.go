// Package report turns a finished run (model.Result) into what people and
// programs read: a narrated timeline, summary tables, and a stable JSON
// document. It only reads results; it never drives the engine. Output is
// byte-for-byte stable: virtual times with fixed precision, rows in a fixed
// order, no wall-clock time, host names or paths.
package report
