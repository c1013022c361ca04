package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"phonetree/internal/auth"
	"phonetree/internal/store"
)

const chromium = "/usr/bin/chromium"

// browser starts headless Debian Chromium, or skips the test without it
// (but fails in CI, where it must be installed).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: CI must install it (apt-get install -y chromium)", chromium)
		}
		t.Skipf("browser test skipped: %s not installed (apt-get install -y chromium)", chromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 1400))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// artifactDir is where tests leave files for people to look at.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("PHONETREE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "phonetree-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// within bounds one step of a browser test.
func within(t *testing.T, ctx context.Context, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(ctx, d)
	t.Cleanup(cancel)
	return c
}

// TestBrowserDrill logs in, sends an exercise bulletin to 200 people on the
// simulated carrier, watches the live view reach everyone but one person
// without reloading, acks for that person through their link in another
// tab, and sees them turn acked and the reach reach 100%.
func TestBrowserDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ctx := newBrowser(t)
	s0 := startStack(t, stackConfig{people: 200, speed: 60, model: allAck(), silent: -1})
	tree := s0.roster.Tree()
	silent := tree.Children[tree.Roots[0]][1] // a branch head, visible without expanding
	s0.stop()
	s := startStack(t, stackConfig{people: 200, speed: 60, model: allAck(), silent: silent})
	code := auth.TOTPCode(s.admin.secret, auth.TOTPStep(time.Now()))
	err := chromedp.Do(within(t, ctx, 20*time.Second),
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`form.login`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), s.admin.password),
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS(`header.top nav`)), // only once logged in
		chromedp.Navigate(s.url+"/send"),
		chromedp.WaitVisible(chromedp.CSS(`#sendform`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "Network compromise drill"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=body]`), "Use only this channel. Confirm you are safe."),
		chromedp.Click(chromedp.CSS(`button[value=send]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live`)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`)(ctx, tg)
			return err
		}),
	)
	if err != nil {
		t.Fatalf("log in and send: %v", err)
	}
	bs, _ := s.st.Bulletins(context.Background())
	if len(bs) != 1 || bs[0].Status != "exercise" || bs[0].Recipients != 200 {
		t.Fatalf("bulletins after the form: %+v", bs)
	}
	b := bs[0]
	v, _ := s.srv.view(context.Background(), b.ID)
	// Everyone reachable but the silent person acks: the page shows it live.
	want := fmt.Sprintf("%d", v.nReach-1)
	if _, err := chromedp.Run(within(t, ctx, 30*time.Second), chromedp.Poll[bool](
		fmt.Sprintf(`document.getElementById("c-acked").textContent === %q`, want), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#c-acked`)))
		t.Fatalf("live view never showed %s acked (shows %s): %v", want, got, err)
	}
	// The silent person acks through their link, in another tab.
	link := s.srv.AckLink(store.AttemptID(b.ID, silent, 0))
	tab, closeTab := chromedp.NewContext(ctx)
	err = chromedp.Do(within(t, tab, 15*time.Second),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`form.responses button[value="1"]`)),
		chromedp.Click(chromedp.CSS(`form.responses button[value="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.done`)),
	)
	done, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`main`)))
	closeTab()
	if err != nil || !strings.Contains(done, "recorded as Safe") {
		t.Fatalf("ack through the link: %v; page: %s", err, done)
	}
	if _, err := chromedp.Run(within(t, ctx, 15*time.Second), chromedp.Poll[bool](fmt.Sprintf(
		`document.getElementById("n%d").className === "st-acked" && document.getElementById("pct").textContent === "100.0%%" && window.sameDocument === true && +document.body.dataset.updates > 2`, silent),
		chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.summary`)))
		t.Fatalf("the person never turned acked / reach never 100%% without reloading: %v\n%s", err, got)
	}
	png, err := chromedp.Run(within(t, ctx, 10*time.Second), chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(t), "live-view.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the live view: %s", path)
}
