/* metrics.c — being written. */
