/* calendar.c — being written. */
