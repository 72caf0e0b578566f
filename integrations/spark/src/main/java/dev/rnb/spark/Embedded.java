package dev.rnb.spark;

import org.apache.spark.mllib.linalg.Vector;

import java.io.Serializable;

/** An embedded document: its input position, original domain (or null) and vector. */
record Embedded(long position, String domain, Vector vector) implements Serializable {}
