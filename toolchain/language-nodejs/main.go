// Command pulumi-language-nodejs is pinstack's own Node.js language host for the Pulumi CLI.
//
// Why it exists: the upstream language host module is not served by the Go module proxy on
// our machines, so it cannot be built here. This is a smaller, independent implementation of
// the same gRPC service (pulumirpc.LanguageRuntime) covering what the CLI calls for a
// TypeScript/JavaScript project and for a TypeScript policy pack:
//
//	GetPluginInfo, Handshake, GetRequiredPackages, Run, RunPlugin (policy packs and
//	Node.js plugins), InstallDependencies (npm), GetProgramDependencies (npm), About,
//	RuntimeOptionsPrompts, Cancel.
//
// Everything else (code generation, Pack, Link, Template, ...) answers codes.Unimplemented.
// The heavy lifting is done by the @pulumi/pulumi npm package (cmd/run, cmd/run-plugin,
// cmd/run-policy-pack); this binary only starts node with the arguments and environment
// those entry points expect.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	// The CLI may pass --tracing, --logtostderr and -v=N (the last two are registered by the
	// logging package); unknown flags would make flag.Parse exit, so accept the ones it sends.
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted, not used)")
	runtimeName := flag.String("runtime", "nodejs", "JavaScript runtime; only nodejs is supported")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)
	_ = tracing
	hostProfile = startCPUProfile()
	defer hostProfile.stop()

	if *runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime %q: this language host runs nodejs only", *runtimeName))
	}

	// The engine passes its own gRPC address as the only positional argument.
	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()

	// Exit on our own when the engine goes away, so no orphaned host keeps running.
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}

	host := newHost(engineAddress)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host gRPC server: %w", err))
	}

	// The CLI reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host gRPC server stopped: %w", err))
	}
}
