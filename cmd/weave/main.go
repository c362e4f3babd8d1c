// Command weave runs the weave daemon (`weave launch`) and talks to it.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// verb is one subcommand.
type verb struct {
	name  string
	usage string
	run   func(args []string) error
}

func verbs() []verb {
	return []verb{
		{"launch", "launch [flags] [PEER...]  run the daemon in the foreground", launch},
		{"status", "status [peers|ipam|store|networks]  show the daemon's state", status},
		{"connect", "connect PEER...  join peers and keep re-joining them", connect},
		{"forget", "forget PEER...  stop re-joining peers", forget},
		{"rmpeer", "rmpeer NAME  take over the address space of a peer that is gone for good",
			rmpeer},
		{"stop", "stop  hand this peer's free address space to a live peer and stop", stop},
		{"reset", "reset  stop the daemon and remove its devices, sockets and state", reset},
		{"version", "version  print the version", printVersion},
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	for _, v := range verbs() {
		if v.name == os.Args[1] {
			if err := v.run(os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "weave "+v.name+": "+err.Error())
				os.Exit(1)
			}
			return
		}
	}
	if os.Args[1] == "help" || os.Args[1] == "--help" || os.Args[1] == "-h" {
		usage()
		return
	}
	fmt.Fprintf(os.Stderr, "weave: unknown command %q\n", os.Args[1])
	usage()
	os.Exit(2)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: weave COMMAND\n\ncommands:")
	for _, v := range verbs() {
		fmt.Fprintln(os.Stderr, "  weave "+v.usage)
	}
	fmt.Fprintln(os.Stderr,
		"\nglobal: --status-addr ADDR (or WEAVE_STATUS_ADDR) for the daemon's API")
}

func printVersion([]string) error {
	fmt.Println("weave " + version)
	return nil
}
