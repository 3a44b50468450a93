/* logfile.c — being written. */
