package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/store/sqlite"
)

// soakSample is one reading taken during a soak.
type soakSample struct {
	At         float64 `json:"at_seconds"`
	Cascades   int     `json:"cascades"`
	Acks       int     `json:"acks"`
	LatencyP50 float64 `json:"cascade_seconds_p50"` // wall time of one whole simulated cascade
	LatencyMax float64 `json:"cascade_seconds_max"`
	HeapBytes  uint64  `json:"heap_bytes"`
	RSSBytes   int64   `json:"rss_bytes"`
	Goroutines int     `json:"goroutines"`
	OpenFiles  int     `json:"open_files"`
}

// runSoak keeps sending cascades of people recipients, one after another on
// one database, for d, sampling every interval; it reports whether
// goroutines, memory or open files grew between the first and last thirds.
func runSoak(ctx context.Context, w io.Writer, dir string, people int, mode cascade.Mode, d, interval time.Duration, asJSON bool) error {
	path := filepath.Join(dir, "soak.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	key, _, err := (&dbFlags{db: path}).keyQuiet()
	if err != nil {
		return err
	}
	if _, err := generateRoster(ctx, st, key, people, 1); err != nil {
		return err
	}
	start, next := time.Now(), time.Now().Add(interval)
	var samples []soakSample
	var lat []float64
	cascades, acks := 0, 0
	for seed := uint64(1); time.Since(start) < d && ctx.Err() == nil; seed++ {
		sm := newSimulation(st, key, seed, simLimits)
		t0 := time.Now()
		b, err := sm.eng.Send(ctx, engine.Bulletin{Title: "Soak", Actor: "soak", Spec: engine.Spec{Policy: cascade.DefaultPolicy(mode)}})
		if err != nil {
			return err
		}
		if err := sm.driver.Run(ctx); err != nil {
			return err
		}
		s, err := sm.eng.Status(ctx, b.ID)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t0).Seconds())
		cascades, acks = cascades+1, acks+s.Acked
		if time.Now().After(next) {
			samples = append(samples, sample(time.Since(start), cascades, acks, lat))
			lat, next = nil, next.Add(interval)
			if !asJSON {
				printSample(w, samples[len(samples)-1])
			}
		}
	}
	return soakVerdict(w, samples, asJSON)
}

func sample(at time.Duration, cascades, acks int, lat []float64) soakSample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, _ := os.ReadDir("/proc/self/fd")
	s := soakSample{At: at.Seconds(), Cascades: cascades, Acks: acks, HeapBytes: ms.HeapAlloc, RSSBytes: currentRSS(),
		Goroutines: runtime.NumGoroutine(), OpenFiles: len(fds)}
	if len(lat) > 0 {
		slices.Sort(lat)
		s.LatencyP50, s.LatencyMax = lat[len(lat)/2], lat[len(lat)-1]
	}
	return s
}

func printSample(w io.Writer, s soakSample) {
	fmt.Fprintf(w, "t+%5.0fs cascades %5d acks %8d  cascade p50 %.2fs max %.2fs  heap %4d MB rss %4d MB goroutines %3d files %3d\n",
		s.At, s.Cascades, s.Acks, s.LatencyP50, s.LatencyMax, s.HeapBytes>>20, s.RSSBytes>>20, s.Goroutines, s.OpenFiles)
}

// soakVerdict compares the first and last thirds of the samples.
func soakVerdict(w io.Writer, ss []soakSample, asJSON bool) error {
	if len(ss) < 3 {
		return fmt.Errorf("soak too short: %d samples (make --soak longer than 3 intervals)", len(ss))
	}
	first, last := ss[:len(ss)/3], ss[len(ss)-len(ss)/3:]
	avg := func(xs []soakSample, f func(soakSample) float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += f(x)
		}
		return t / float64(len(xs))
	}
	heap := func(s soakSample) float64 { return float64(s.HeapBytes) }
	gor := func(s soakSample) float64 { return float64(s.Goroutines) }
	fds := func(s soakSample) float64 { return float64(s.OpenFiles) }
	growth := map[string]bool{
		"heap":       avg(last, heap) > 1.25*avg(first, heap)+8<<20,
		"goroutines": avg(last, gor) > avg(first, gor)+2,
		"open files": avg(last, fds) > avg(first, fds)+2,
	}
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"samples": ss, "growth": growth})
	}
	for what, grew := range growth {
		if grew {
			fmt.Fprintf(w, "GROWTH: %s grew between the first and last thirds of the soak\n", what)
		}
	}
	fmt.Fprintf(w, "soak: %d cascades, %d acks in %.0fs; growth: heap %v, goroutines %v, open files %v\n",
		ss[len(ss)-1].Cascades, ss[len(ss)-1].Acks, ss[len(ss)-1].At, growth["heap"], growth["goroutines"], growth["open files"])
	return nil
}
