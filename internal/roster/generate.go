package roster

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
)

// maxGenerated bounds Generate so every person gets distinct numbers.
const maxGenerated = 100_000_000

// Generate writes a synthetic organisation of the given number of people as
// CSV, in the format of WriteCSV. The same seed gives the same bytes.
//
// The organisation is one tree, 5 to 8 levels deep for large sizes, built
// breadth first: managers have 3 to 10 reports (mostly 5 to 8), ids run
// E000001, E000002, … in that order, and each top-level branch is a
// department (its tag). Numbers are valid US mobiles in E.164, distinct but
// for about 0.1% duplicates; about 3% of people have only an email, 1% no
// contact method at all, 15% a separate desk (voice) number, 2% an explicit
// caller (their manager's manager, when that keeps
// everyone's fan-out at 10 or less) and 8% backups. Rows are streamed: memory
// stays at a few bytes a person.
func Generate(w io.Writer, people int, seed int64) error {
	if people < 0 || people > maxGenerated {
		return fmt.Errorf("roster: generate: %d people is outside 0 to %d", people, maxGenerated)
	}
	g := &generator{
		cw:       newRowWriter(w),
		rng:      rand.New(rand.NewPCG(uint64(seed), 0x5eed)),
		n:        people,
		maxDepth: generatedDepth(people),
	}
	g.run()
	if err := g.cw.flush(); err != nil {
		return fmt.Errorf("roster: generate: %w", err)
	}
	return nil
}

// generatedDepth picks the deepest level so that typical fan-outs fill it.
func generatedDepth(n int) int {
	d := int(math.Ceil(math.Log(float64(max(n, 2))) / math.Log(5.5)))
	return min(max(d, 1), 8)
}

type generator struct {
	cw       *rowWriter
	rng      *rand.Rand
	n        int
	maxDepth int
	next     int     // the next id to hand out
	boss     []int32 // each person's manager
	callees  []uint8 // how many people each person calls so far
	dept     []uint8 // each person's department
	buf      []byte
	mobile   []byte // the last mobile number written
}

// fanOuts weights the number of reports of a manager, from 3 to 10.
var fanOuts = [...]int{3: 5, 4: 10, 5: 20, 6: 20, 7: 20, 8: 15, 9: 6, 10: 4}

const meanFanOut = 6.29

func (g *generator) run() {
	for _, c := range columns {
		g.cw.field(c)
	}
	g.cw.end()
	if g.n == 0 {
		return
	}
	g.boss = make([]int32, g.n+1)
	g.dept = make([]uint8, g.n+1)
	g.callees = make([]uint8, g.n+1)
	g.writePerson(1, 0, 0, 1, 1)
	g.next = 2
	depth, levelStart, levelEnd := 0, 1, 1
	share := 1.0
	for j := 1; g.next <= g.n; j++ {
		if j > levelEnd {
			depth, levelStart, levelEnd = depth+1, levelEnd+1, g.next-1
			share = g.managerShare(depth, levelEnd-levelStart+1)
		}
		if depth == g.maxDepth-1 {
			// The last level with reports: spread what is left evenly.
			share = float64(g.n-g.next+1) / (float64(levelEnd-j+1) * meanFanOut)
		}
		f := 0
		switch {
		case j == 1:
			f = 6 + g.rng.IntN(5)
		case g.rng.Float64() < share:
			f = g.fanOut()
		}
		if f == 0 && j == g.next-1 {
			f = g.fanOut() // the last one left: someone has to manage the rest
		}
		first := g.next
		for k := 0; k < f && g.next <= g.n; k++ {
			g.writePerson(g.next, j, depth+1, first, f)
			g.next++
		}
	}
}

// managerShare returns the share of the level's people who manage, so that
// the levels left below take everyone still to place.
func (g *generator) managerShare(depth, levelSize int) float64 {
	levels := g.maxDepth - depth
	if levels <= 0 {
		return 0
	}
	left := float64(g.n - g.next + 1)
	lo, hi := 0.0, 10.0
	for range 50 {
		growth := (lo + hi) / 2
		total, size := 0.0, float64(levelSize)
		for range levels {
			size *= growth
			total += size
		}
		if total < left {
			lo = growth
		} else {
			hi = growth
		}
	}
	return min(1, lo/meanFanOut)
}

func (g *generator) fanOut() int {
	r := g.rng.IntN(100)
	for f, weight := range fanOuts {
		if r < weight {
			return f
		}
		r -= weight
	}
	return 10
}

// writePerson writes person id, reporting to manager (0 for the root); first
// and reports describe the manager's reports, id among them.
func (g *generator) writePerson(id, manager, depth, first, reports int) {
	g.boss[id] = int32(manager)
	switch depth {
	case 0:
		g.dept[id] = 0
	case 1:
		g.dept[id] = uint8(1 + (id-first)%(len(departments)-1))
	default:
		g.dept[id] = g.dept[manager]
	}
	firstName := firstNames[g.rng.IntN(len(firstNames))]
	lastName := lastNames[g.rng.IntN(len(lastNames))]
	g.id(id)
	g.buf = append(append(append(g.buf[:0], firstName...), ' '), lastName...)
	g.cw.bytes(g.buf)
	g.idOrEmpty(manager)
	grand := 0
	if manager != 0 {
		grand = int(g.boss[manager])
	}
	// An explicit caller, if the manager's manager has room in their list.
	if grand != 0 && g.rng.IntN(100) < 2 && g.callees[grand] < 10 {
		g.callees[grand]++
		g.id(grand)
	} else {
		g.callees[manager]++
		g.cw.field("")
	}
	g.backups(id, grand, first, reports)
	area := g.contacts(id, firstName, lastName)
	g.tags(id, depth, area)
	g.cw.field(area.tz)
	g.cw.field(languages[g.rng.IntN(len(languages))])
	g.cw.field(orders[g.rng.IntN(len(orders))])
	g.cw.field("") // word
	g.cw.field("") // pin
	g.cw.end()
}

func (g *generator) id(id int) {
	g.buf = appendID(g.buf[:0], id)
	g.cw.bytes(g.buf)
}

func (g *generator) idOrEmpty(id int) {
	if id == 0 {
		g.cw.field("")
		return
	}
	g.id(id)
}

func appendID(b []byte, id int) []byte {
	b = append(b, 'E')
	for p := 100000; p > 1 && id < p; p /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(id), 10)
}

func (g *generator) backups(id, grand, first, reports int) {
	g.buf = g.buf[:0]
	if g.rng.IntN(100) < 8 {
		if grand != 0 {
			g.buf = appendID(g.buf, grand)
		}
		if sib := first + g.rng.IntN(reports); reports > 1 && sib != id && sib < g.n+1 {
			if len(g.buf) > 0 {
				g.buf = append(g.buf, ';')
			}
			g.buf = appendID(g.buf, sib)
		}
	}
	g.cw.bytes(g.buf)
}

// contacts writes mobile, voice and email, and returns the person's area.
func (g *generator) contacts(id int, firstName, lastName string) area {
	kind := g.rng.IntN(1000)
	a := areas[g.rng.IntN(len(areas))]
	switch {
	case kind < 10: // no contact method at all
		g.cw.field("")
		g.cw.field("")
		g.cw.field("")
		return a
	case kind < 40: // email only
		g.cw.field("")
		g.cw.field("")
	default:
		if kind < 999 || len(g.mobile) == 0 {
			var idx int
			g.mobile, idx = appendUSNumber(g.mobile[:0], uint64(id))
			a = areas[idx]
		} // else keep the last mobile: a shared number, as HR data has
		g.cw.bytes(g.mobile)
		g.buf = g.buf[:0]
		if g.rng.IntN(100) < 15 {
			g.buf, _ = appendUSNumber(g.buf, uint64(id)+1<<27)
		}
		g.cw.bytes(g.buf)
	}
	g.buf = appendLower(g.buf[:0], firstName)
	g.buf = appendLower(append(g.buf, '.'), lastName)
	g.buf = strconv.AppendInt(g.buf, int64(id), 10)
	g.buf = append(g.buf, "@example.org"...)
	g.cw.bytes(g.buf)
	return a
}

func (g *generator) tags(id, depth int, a area) {
	g.buf = append(g.buf[:0], departments[g.dept[id]]...)
	if depth == 1 {
		g.buf = append(g.buf, ";leadership"...)
	}
	g.buf = append(append(g.buf, ';'), a.site...)
	g.cw.bytes(g.buf)
}

// appendUSNumber appends the US mobile number numbered k in E.164, and
// returns the index of its area. Numbers are spread over the areas by a
// bijection, so distinct k below 2^28 give distinct numbers.
func appendUSNumber(b []byte, k uint64) ([]byte, int) {
	const perArea = 800 * 10000 // exchanges 200-999, lines 0000-9999
	space := uint64(len(areas)) * perArea
	x := (k*2654435761 + 12345) % space
	idx := int(x / perArea)
	rest := x % perArea
	b = append(b, "+1"...)
	b = append(b, areas[idx].code...)
	b = strconv.AppendUint(b, 200+rest/10000, 10)
	line := rest % 10000
	for p := uint64(1000); p > 1 && line < p; p /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, line, 10), idx
}
