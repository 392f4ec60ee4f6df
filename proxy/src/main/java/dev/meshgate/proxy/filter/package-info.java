/**
 * Gateway filters of mesh routes (header operations, rewrite, redirect, direct responses, destination choice)
 * and the global filters that turn the chosen cluster into an upstream request.
 */
@NullMarked
package dev.meshgate.proxy.filter;

import org.jspecify.annotations.NullMarked;
