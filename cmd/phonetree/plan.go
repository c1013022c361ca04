package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/plan"
	"phonetree/internal/provider/twilio"
)

// planCommand is `phonetree plan`: how long reaching everyone takes under
// the configured providers and limits, per channel, and what would shorten it.
func planCommand() command {
	c := command{name: "plan", usage: "[--people N | --db PATH] [--sms-senders N] [--sms-rate R] [--voice-cps R] [--email-rate R]",
		summary: "estimate how long reaching everyone would take under the carriers' rate limits, and what would shorten it",
		example: "phonetree plan --people 10000 --sms-senders 5 --sms-rate 1 --voice-cps 1"}
	c.run = func(ctx context.Context, e *env, args []string) error {
		var db dbFlags
		fs := c.flags(e)
		db.register(fs)
		people := fs.Int("people", 0, "people to plan for (all with a mobile and an email); 0 plans for the current roster in --db")
		senders := fs.Int("sms-senders", 0, "SMS sender numbers (default: those in $PHONETREE_TWILIO_FROM, else 1)")
		smsRate := fs.Float64("sms-rate", envFloat(e, "PHONETREE_TWILIO_SMS_PER_SECOND", 1), "segments a second per sender (long code 1, toll-free 3, short code 100)")
		segments := fs.Int("sms-segments", 0, "segments per text (default: a typical bulletin's, 1)")
		text := fs.String("sms-text", "", "a sample text, to count its segments")
		voice := fs.Float64("voice-cps", envFloat(e, "PHONETREE_TWILIO_CALLS_PER_SECOND", 1), "new calls a second for the account")
		email := fs.Float64("email-rate", 10, "emails a second the relay takes")
		order := fs.String("order", "sms,voice,email", "the contact plan: methods in order")
		asJSON := fs.Bool("json", false, "print the estimate as JSON")
		if _, err := parse(fs, args, 0, 0); err != nil {
			return err
		}
		counts, total, err := planPeople(ctx, e, &db, *people)
		if err != nil {
			return err
		}
		if *senders <= 0 {
			*senders = envSenders(e)
		}
		if *segments <= 0 {
			*segments = 1
			if *text != "" {
				*segments = twilio.Segments(*text)
			}
		}
		policy := cascade.DefaultPolicy(cascade.Broadcast)
		var chs []plan.Channel
		for _, m := range strings.Split(*order, ",") {
			ch := plan.Channel{Method: strings.TrimSpace(m), Senders: 1, Wait: policy.Wait[strings.TrimSpace(m)]}
			switch ch.Method {
			case "sms":
				ch.Senders, ch.PerSender, ch.Segments = *senders, *smsRate, *segments
			case "voice":
				ch.PerSender = *voice
			case "email":
				ch.PerSender = *email
			case "webhook":
			default:
				return usageError{fmt.Sprintf("--order: unknown method %q (want sms, voice, email, webhook)", ch.Method)}
			}
			chs = append(chs, ch)
		}
		es := plan.Reach(chs, counts)
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(map[string]any{"people": total, "channels": es, "total": plan.Total(es).String()})
		}
		printPlan(e.stdout, total, chs, es)
		return nil
	}
	return c
}

// planPeople counts who can be reached on each method: n hypothetical
// people with a mobile and an email, or the current roster.
func planPeople(ctx context.Context, e *env, db *dbFlags, n int) (map[string]int, int, error) {
	if n < 0 {
		return nil, 0, usageError{"--people: must be positive"}
	}
	if n > 0 {
		return map[string]int{"sms": n, "voice": n, "email": n}, n, nil
	}
	r, err := loadVersion(ctx, e, db, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("%w (or give --people N)", err)
	}
	counts := map[string]int{}
	for i := range r.People {
		for _, c := range r.People[i].Contacts(engine.DefaultOrder) {
			counts[string(c.Method)]++
		}
	}
	return counts, len(r.People), nil
}

func envFloat(e *env, name string, def float64) float64 {
	if f, err := strconv.ParseFloat(e.getenv(name), 64); err == nil && f > 0 {
		return f
	}
	return def
}

func envSenders(e *env) int {
	var c twilio.Config
	if err := c.SetFrom(e.getenv("PHONETREE_TWILIO_FROM")); err != nil || c.Senders() == 0 {
		return 1
	}
	return c.Senders()
}

func printPlan(w io.Writer, total int, chs []plan.Channel, es []plan.Estimate) {
	fmt.Fprintf(w, "Reaching %d people, broadcast, if nobody acks (each method waits before the next):\n\n", total)
	for i, est := range es {
		ch := chs[i]
		rate := "no limit"
		if ch.PerSender > 0 {
			rate = fmt.Sprintf("%.4g/s", est.Rate)
			if ch.Method == "sms" {
				rate += fmt.Sprintf(" (%d numbers × %g segments/s, %d segment(s) a text)", max(ch.Senders, 1), ch.PerSender, max(ch.Segments, 1))
			}
		}
		fmt.Fprintf(w, "  %-7s %7d people  %s\n", est.Method, est.People, rate)
		if est.People == 0 {
			continue
		}
		fmt.Fprintf(w, "          alone: %s; in the plan: starts at %s, last handed over at %s\n",
			plan.Human(est.Alone), plan.Human(est.Start), plan.Human(est.Done))
		for _, s := range est.Shorter {
			fmt.Fprintf(w, "          shorter: %s\n", s)
		}
	}
	fmt.Fprintf(w, "\nEveryone tried on every method by %s. People who ack early are not tried again,\n", plan.Human(plan.Total(es)))
	fmt.Fprintln(w, "so a real run ends sooner; the first method's time is the floor for reaching everyone.")
}
