// Command pulumi-resource-kubernetes is pinstack's render-only stand-in for the Pulumi
// Kubernetes provider.
//
// Why it exists: the upstream provider module (github.com/pulumi/pulumi-kubernetes/provider/v4)
// is not served by the Go module proxy on our machines, so it cannot be built here. pinstack
// only needs the provider's render-to-directory mode offline (Provider argument
// `renderYamlToDirectory`), and this program implements exactly that mode, following the
// upstream provider's behaviour:
//
//   - Check: default namespace from the provider's `namespace`, autonaming of metadata.name
//     (`<resource name>-<random suffix>` plus the `pulumi.com/autonamed` annotation).
//   - Diff: detailed diff between the last rendered object and the new inputs; replacement
//     only for the fields Kubernetes treats as immutable (same table as upstream).
//   - Create/Update write `<dir>/1-manifest/<apiVersion>-<kind>-<namespace>-<name>.yaml`
//     (CustomResourceDefinitions go to `<dir>/0-crd/`), atomically; Delete removes the file.
//   - Outputs are the rendered object plus upstream's checkpoint keys (__inputs,
//     __initialApiVersion, __fieldManager), so state looks like the real provider's.
//
// A provider configured without renderYamlToDirectory fails with an error saying so: this
// build has no Kubernetes client and never talks to a cluster. Helm releases, component
// resources (yaml/v2, helm/v4, kustomize) and invokes are not implemented either.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set at build time (-ldflags "-X main.version=4.34.2") to the @pulumi/kubernetes
// npm version the program uses: the SDK asks the engine for a plugin of exactly that version.
var version = "0.0.0-dev"

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Println(version)
		return
	}
	err := provider.Main("kubernetes", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newRenderProvider(host, version), nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
