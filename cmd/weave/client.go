package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"weave.works/weave/api"
)

// callTimeout bounds one CLI call to the daemon.
const callTimeout = 30 * time.Second

// clientFlags parses the flags every client verb takes and returns the rest.
func clientFlags(name string, args []string) (*api.Client, []string, error) {
	return parseClient(flag.NewFlagSet(name, flag.ContinueOnError), args)
}

// statusFlags parses the client flags and --json.
func statusFlags(args []string) (*api.Client, []string, bool, error) {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the whole status as JSON")
	c, rest, err := parseClient(fs, args)
	return c, rest, *asJSON, err
}

func parseClient(fs *flag.FlagSet, args []string) (*api.Client, []string, error) {
	def := os.Getenv("WEAVE_STATUS_ADDR")
	if def == "" {
		def = api.DefaultAddr
	}
	addr := fs.String("status-addr", def, "address of the daemon's status API")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, nil, err
	}
	return api.NewClient(*addr), rest, nil
}

func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

// peersVerb runs a verb that takes one or more peers.
func peersVerb(name string, args []string,
	call func(context.Context, *api.Client, []string) error) error {
	c, peers, err := clientFlags(name, args)
	if err != nil {
		return err
	}
	if len(peers) == 0 {
		return errors.New("give at least one PEER (host or host:port)")
	}
	ctx, cancel := withTimeout()
	defer cancel()
	return call(ctx, c, peers)
}

func connect(args []string) error {
	return peersVerb("connect", args, func(ctx context.Context, c *api.Client, p []string) error {
		res, err := c.Connect(ctx, p)
		if err != nil {
			return err
		}
		fmt.Printf("joined %d peer(s)\n", res.Joined)
		if res.Error != "" {
			return fmt.Errorf("%s (weave keeps trying)", res.Error)
		}
		return nil
	})
}

func forget(args []string) error {
	return peersVerb("forget", args, func(ctx context.Context, c *api.Client, p []string) error {
		return c.Forget(ctx, p)
	})
}

func rmpeer(args []string) error {
	c, rest, err := clientFlags("rmpeer", args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("give the NAME of one dead peer, as weave status ipam shows it")
	}
	ctx, cancel := withTimeout()
	defer cancel()
	res, err := c.RemovePeer(ctx, rest[0])
	if err != nil {
		return err
	}
	fmt.Printf("took over %d addresses from %s\n", res.Addresses, rest[0])
	return nil
}

func stop(args []string) error {
	c, rest, err := clientFlags("stop", args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("stop takes no arguments, got %v", rest)
	}
	ctx, cancel := withTimeout()
	defer cancel()
	return c.Stop(ctx)
}
