// etcd, the API server's store, built from go.etcd.io/etcd/server/v3 at the release
// k8s.io/kubernetes itself is tested against (its go.mod), so no Debian package or
// downloaded binary is needed. Upstream's own main does no more than this.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
