// The upstream Kubernetes provider, built from its Go module.
//
// Upstream's own main (cmd/pulumi-resource-kubernetes) embeds schema-embed.json and
// terraform-mapping-embed.json, which its `go generate` step writes and the module zip does
// not carry. scripts/setup writes the same two files here from the module's schema.json and
// terraform-mapping.json (version stamped in, minified) before `go build`; they are
// git-ignored build inputs, and their hashes are part of setup's stamp.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
