// Package scenario holds the steps that the multi-host tests and the demo share: launching
// weave on harness hosts, waiting for the cluster to form, running containers on the
// network "weave" and checking that they reach each other.
package scenario
