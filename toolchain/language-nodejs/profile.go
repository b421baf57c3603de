package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
)

// cpuProfile writes a CPU profile of this host when PINSTACK_LANGUAGE_HOST_CPUPROFILE names a
// directory (bench/pack-profile.bench.ts sets it). The CLI kills its language host at the end
// of a command, so the profile is written when a policy pack's process ends, not at exit.
type cpuProfile struct {
	once sync.Once
	file *os.File
}

func startCPUProfile() *cpuProfile {
	dir := os.Getenv("PINSTACK_LANGUAGE_HOST_CPUPROFILE")
	if dir == "" {
		return &cpuProfile{}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("language-host.%d.cpu", os.Getpid())))
	if err != nil {
		fmt.Fprintf(os.Stderr, "language host: cannot write a CPU profile: %v\n", err)
		return &cpuProfile{}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintf(os.Stderr, "language host: cannot start the CPU profile: %v\n", err)
		return &cpuProfile{}
	}
	return &cpuProfile{file: f}
}

func (p *cpuProfile) stop() {
	if p == nil || p.file == nil {
		return
	}
	p.once.Do(func() {
		pprof.StopCPUProfile()
		p.file.Close()
	})
}

var hostProfile *cpuProfile
