//go:build tools

// Package tools pins cosign for the signing tests: scripts/setup --signing builds its CLI
// from this module (go build github.com/sigstore/cosign/v2/cmd/cosign).
package tools

import _ "github.com/sigstore/cosign/v2/cmd/cosign"
