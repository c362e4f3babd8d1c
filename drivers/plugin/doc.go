// Package plugin serves Docker's legacy plugin protocol on a unix socket: one socket that
// implements both NetworkDriver and IpamDriver, as Docker expects of a driver whose name is
// used for --driver and --ipam-driver alike.
//
// The request and response types are docker/go-plugins-helpers'; the routing and the error
// handling are ours, because every failure, including a body that is not JSON at all, must
// reach Docker as {"Err": "..."} that a person can act on, and the socket must go on serving.
//
// Plugin knows nothing of any one driver: it takes a network.Driver and an ipam.Ipam.
package plugin
