// Package schedules decides when things run: the gocron jobs of `tongbao
// serve`, inbox watching, catch-up of periods that came due while the
// service was down, and delivery with retries.
package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"tongbao"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"tongbao/pipeline"
)

// Job names.
const (
	JobInbox     = "inbox"
	JobBulletin  = "bulletin"
	JobScorecard = "scorecard"
	JobReminders = "reminders"
)

// Service runs the schedules of one workspace.
type Service struct {
	ws      *pipeline.Workspace
	cfg     Config
	clock   clockwork.Clock
	loc     *time.Location
	log     *slog.Logger
	senders map[string]Sender
	mu      sync.Mutex // one job at a time touches the state
	looks   map[string]look
	// catalogSeen is catalog.json as the inbox watch last saw it: a
	// change made outside the service (tongbao retract, an import from
	// the command line) makes it recheck the reports already due.
	catalogSeen look
	sched       gocron.Scheduler
	lock        *pipeline.Lock // the service lock, held from Start to Stop
}

// New prepares a service with its schedule; senders maps channels
// ("smtp", "folder") to their senders; a nil clock is the real one. The
// delivery settings are checked here: only the service uses them.
func New(ws *pipeline.Workspace, cfg Config, clock clockwork.Clock, log *slog.Logger, senders map[string]Sender) (*Service, error) {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	if log == nil {
		log = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, &pipeline.ConfigError{Path: ws.ConfigPath(), Msg: "配置无效：" + err.Error()}
	}
	if err := ws.Config.Delivery.Validate(); err != nil {
		return nil, &pipeline.ConfigError{Path: ws.ConfigPath(), Msg: "配置无效：" + err.Error()}
	}
	return &Service{ws: ws, cfg: cfg, clock: clock, loc: ws.Location(), log: log, senders: senders, looks: map[string]look{}}, nil
}

// Start takes the service lock (a second service on the workspace is
// refused), catches up, then starts the jobs. Stop ends them.
func (s *Service) Start(ctx context.Context) error {
	lock, err := s.ws.LockService(ctx)
	if err != nil {
		return err
	}
	s.lock = lock
	started := false
	defer func() {
		if !started {
			lock.Release()
			s.lock = nil
		}
	}()
	st, err := s.ws.ReadServiceState()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	st.Started = now
	if st.Since.IsZero() {
		// The very first start produces nothing older than itself (a
		// state from before Since was kept counts from its last heartbeat).
		st.Since = st.LastSeen
		if st.Since.IsZero() {
			st.Since = now
			s.log.Info("service first start", "at", now)
		}
	}
	if err := s.ws.WriteServiceState(st); err != nil {
		return err
	}
	// A workspace written by an older tongbao gets its kept sums in this
	// version's layout before anything is scored.
	if n, err := s.ws.UpgradeSums(ctx); err != nil {
		return err
	} else if n > 0 {
		s.log.Info("kept sums recomputed", "partitions", n)
	}
	if err := s.CatchUp(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil // stopped during catch-up: the report in hand was finished
	}
	cfg := s.cfg
	sched, err := gocron.NewScheduler(
		gocron.WithClock(s.clock),
		gocron.WithLocation(s.loc),
		// Jobs never overlap, not even different ones (singleton mode is per job).
		gocron.WithLimitConcurrentJobs(1, gocron.LimitModeWait),
		gocron.WithStopTimeout(time.Duration(cfg.StopTimeoutSeconds)*time.Second),
	)
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	jobs := []struct {
		name, cron string
		run        func(context.Context) error
	}{
		{JobInbox, cfg.Inbox, s.InboxRun},
		{JobBulletin, cfg.Monthly, s.MonthlyRun},
		{JobReminders, cfg.Reminders, s.RemindRun},
		{JobScorecard, cfg.Quarterly, s.QuarterlyRun},
	}
	// A shutdown lets a running job finish (gocron waits up to the stop
	// timeout), so jobs do not see the signal's cancellation.
	jobCtx := context.WithoutCancel(ctx)
	for _, j := range jobs {
		if _, err := sched.NewJob(gocron.CronJob(j.cron, cronWithSeconds(j.cron)), gocron.NewTask(func() { s.runJob(jobCtx, j.name, j.run) }),
			gocron.WithName(j.name)); err != nil {
			sched.Shutdown()
			return fmt.Errorf("schedule %s %q: %w", j.name, j.cron, err)
		}
	}
	s.sched = sched
	started = true
	sched.Start()
	s.log.Info("service started", "zone", s.loc.String(), "inbox", cfg.Inbox, "monthly", cfg.Monthly, "quarterly", cfg.Quarterly)
	return nil
}

// Stop lets a running job finish (up to the stop timeout), then returns.
func (s *Service) Stop() error {
	if s.sched == nil {
		return nil
	}
	err := s.sched.Shutdown()
	s.lock.Release()
	s.log.Info("service stopped")
	return err
}

// Jobs lists the scheduled jobs (for tests and status).
func (s *Service) Jobs() []gocron.Job {
	if s.sched == nil {
		return nil
	}
	return s.sched.Jobs()
}

// runJob runs a job at its scheduled time and records the run.
func (s *Service) runJob(ctx context.Context, name string, run func(context.Context) error) {
	s.recordRun(name, run(ctx), false)
}

// recordRun records a job's last run in the workspace (catchUp: made by
// catch-up, not at its time; status shows it as the job's last run). A
// report job that found no data yet ran well: the report comes with its
// data.
func (s *Service) recordRun(name string, err error, catchUp bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, rerr := s.ws.ReadServiceState()
	if rerr != nil {
		s.log.Error("read service state", "err", rerr)
		return
	}
	jr := pipeline.JobRun{At: s.clock.Now(), OK: true, CatchUp: catchUp}
	var nd *pipeline.NoDataError
	if err != nil && !errors.As(err, &nd) {
		jr.OK, jr.Error = false, pipeline.Explain(err)
		s.log.Error("job failed", "job", name, "err", err)
	}
	st.Jobs[name] = jr
	if werr := s.ws.WriteServiceState(st); werr != nil {
		s.log.Error("write service state", "err", werr)
	}
}

// report is one report of one period: the bulletin of a month or the
// scorecard of a quarter.
type report struct {
	kind    string // JobBulletin or JobScorecard
	month   tongbao.Month
	quarter tongbao.Quarter
}

// period prints the report's period (2022-03, 2022Q1).
func (r report) period() string {
	if r.kind == JobBulletin {
		return r.month.String()
	}
	return r.quarter.String()
}

// key names the report in service.json: "bulletin 2022-03".
func (r report) key() string { return r.kind + " " + r.period() }

// reportOfKey reads a key of service.json back.
func reportOfKey(key string) (report, error) {
	kind, period, _ := strings.Cut(key, " ")
	r := report{kind: kind}
	var err error
	switch kind {
	case JobBulletin:
		r.month, err = tongbao.ParseMonth(period)
	case JobScorecard:
		r.quarter, err = tongbao.ParseQuarter(period)
	default:
		err = fmt.Errorf("unknown report %q", kind)
	}
	if err != nil {
		return r, fmt.Errorf("service state key %q: %w", key, err)
	}
	return r, nil
}

// dueInstants lists the instants a cron expression fired in (after, upto].
func (s *Service) dueInstants(expr string, after, upto time.Time) []time.Time {
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return nil
	}
	var out []time.Time
	for t := sched.Next(after.In(s.loc)); !t.After(upto); t = sched.Next(t) {
		out = append(out, t)
	}
	return out
}

// reportFor is the report a run at t makes: on the previous month or quarter.
func reportFor(kind string, t time.Time) report {
	m := tongbao.MonthOf(t).Add(-1)
	if kind == JobBulletin {
		return report{kind: kind, month: m}
	}
	return report{kind: kind, quarter: m.Quarter()}
}

// CatchUp produces, oldest first, every report that came due since the
// service first started and was not produced yet: due while the service
// was down, or due while it could not be produced (the workspace busy, a
// disk full). What was produced is read from the service's record, not
// guessed from when it last ran; a report that failed waits its backoff.
// It runs at start and every minute with the inbox watch.
func (s *Service) CatchUp(ctx context.Context) error {
	s.mu.Lock()
	st, err := s.ws.ReadServiceState()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	type due struct {
		at time.Time
		r  report
	}
	var dues []due
	since := st.Since
	if since.IsZero() {
		since = st.LastSeen // a state kept before Since was recorded
		if since.IsZero() {
			since = now // never started: nothing is due yet
		}
		s.mu.Lock()
		if st, err := s.ws.ReadServiceState(); err == nil && st.Since.IsZero() {
			st.Since = since
			s.ws.WriteServiceState(st)
		}
		s.mu.Unlock()
	}
	cfg := s.cfg
	for _, k := range []struct{ kind, expr string }{{JobBulletin, cfg.Monthly}, {JobScorecard, cfg.Quarterly}} {
		for _, t := range s.dueInstants(k.expr, since, now) {
			r := reportFor(k.kind, t.In(s.loc))
			key := r.key()
			if st.Produced[key] > 0 && st.Delivered[key] >= st.Produced[key] {
				continue // done
			}
			if rt, ok := st.Retry[key]; ok && now.Before(rt.Next) {
				continue // failed lately: waits its backoff
			}
			dues = append(dues, due{t, r})
		}
	}
	sort.SliceStable(dues, func(i, j int) bool { return dues[i].at.Before(dues[j].at) })
	for _, d := range dues {
		if ctx.Err() != nil {
			// A stop was asked for: the rest waits for the next start.
			s.log.Info("stopping during catch-up", "left", d.r.key())
			return nil
		}
		s.log.Info("catching up", "report", d.r.kind, "period", d.r.period(), "due", d.at)
		// The report in hand is finished even if a stop comes meanwhile.
		err := s.produce(context.WithoutCancel(ctx), d.r, d.at)
		if err != nil {
			s.log.Error("catch-up failed", "report", d.r.kind, "period", d.r.period(), "err", err)
		}
		s.recordRun(d.r.kind, err, true)
	}
	s.DeliverPending(ctx) // unsent deliveries resume after a restart
	return s.heartbeat()
}

// heartbeat records that the service is running now.
func (s *Service) heartbeat() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.ws.ReadServiceState()
	if err != nil {
		return err
	}
	st.LastSeen = s.clock.Now()
	return s.ws.WriteServiceState(st)
}

// MonthlyRun produces and delivers the previous month's bulletin.
func (s *Service) MonthlyRun(ctx context.Context) error {
	now := s.clock.Now().In(s.loc)
	return s.produce(ctx, reportFor(JobBulletin, now), now)
}

// RemindRun queues the 催报 mails on the day before the previous month's
// deadline (once per unit and month: the outbox entry's id says so), and
// sends them.
func (s *Service) RemindRun(ctx context.Context) error {
	now := s.clock.Now().In(s.loc)
	m := tongbao.Month{Year: now.Year(), Month: int(now.Month())}.Add(-1)
	due := s.ws.Config.Collection.Deadline(m, s.loc).AddDate(0, 0, -1) // the deadline day
	if y, mo, d := due.AddDate(0, 0, -1).Date(); now.Year() != y || now.Month() != mo || now.Day() != d {
		return nil
	}
	if s.ws.Config.Delivery.SMTP.Host == "" {
		s.log.Info("reminders skipped: no mail server configured", "month", m.String())
		return nil
	}
	queued, err := s.ws.QueueReminders(ctx, m, pipeline.RemindAuto, nil)
	if err != nil {
		return err
	}
	s.log.Info("reminders queued", "month", m.String(), "units", len(queued))
	s.DeliverPending(ctx)
	return nil
}

// QuarterlyRun produces and delivers the previous quarter's scorecard.
func (s *Service) QuarterlyRun(ctx context.Context) error {
	now := s.clock.Now().In(s.loc)
	return s.produce(ctx, reportFor(JobScorecard, now), now)
}

// produce writes a period's report (a new version only when its figures
// changed) and hands any version not yet delivered to delivery. A report
// that cannot be produced now (the workspace busy, a disk full, no data
// yet) is tried again with backoff by CatchUp.
func (s *Service) produce(ctx context.Context, r report, dueAt time.Time) error {
	kind, period := r.kind, r.period()
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.ws.ReadServiceState()
	if err != nil {
		return err
	}
	key := r.key()
	if _, ok := st.Due[key]; !ok {
		st.Due[key] = dueAt
	}
	var out *pipeline.Output
	if kind == JobBulletin {
		out, err = s.ws.Bulletin(ctx, r.month)
	} else {
		out, err = s.ws.Scorecard(ctx, r.quarter)
	}
	if err != nil {
		r := st.Retry[key]
		r.Attempts++
		cfg := s.ws.Config.Delivery
		wait := time.Duration(cfg.RetryFirstSeconds) * time.Second << min(r.Attempts-1, 20)
		r.Next = s.clock.Now().Add(min(wait, time.Duration(cfg.RetryMaxSeconds)*time.Second))
		st.Retry[key] = r
		var nd *pipeline.NoDataError
		noData := errors.As(err, &nd)
		if noData {
			// Not a failure: produced when its data arrives.
			st.Waiting[key] = s.clock.Now()
			delete(st.Failures, key)
		} else {
			st.Failures[key] = pipeline.Explain(err)
		}
		if werr := s.ws.WriteServiceState(st); werr != nil {
			return errors.Join(err, werr)
		}
		if noData {
			s.log.Warn("nothing to report", "report", kind, "period", period)
			return err
		}
		return fmt.Errorf("produce %s: %w", key, err)
	}
	delete(st.Failures, key)
	delete(st.Retry, key)
	delete(st.Waiting, key)
	st.Produced[key] = out.Version
	switch {
	case !out.Issued():
		// A draft: 签发 (portal or tongbao approve) queues it; the office
		// was told when it was written.
		if out.New {
			s.log.Warn("report waits for approval", "report", kind, "period", period, "version", out.Version, "state", out.State, "held", out.Held)
		}
	case st.Delivered[key] < out.Version:
		queued, err := s.ws.QueueVersion(out)
		if err != nil {
			return err
		}
		for _, id := range queued {
			s.log.Info("delivery queued", "id", id)
		}
		st.Delivered[key] = out.Version
		s.log.Info("report produced", "report", kind, "period", period, "version", out.Version, "new", out.New)
	}
	return s.ws.WriteServiceState(st)
}

// recheckDue reproduces the periods that came due, after new data arrived:
// changed figures make a new version, delivered as a correction (更正).
func (s *Service) recheckDue(ctx context.Context) {
	s.mu.Lock()
	st, err := s.ws.ReadServiceState()
	s.mu.Unlock()
	if err != nil {
		s.log.Error("read service state", "err", err)
		return
	}
	keys := make([]string, 0, len(st.Due))
	for k := range st.Due {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return st.Due[keys[i]].Before(st.Due[keys[j]]) })
	for _, k := range keys {
		r, err := reportOfKey(k)
		if err != nil {
			s.log.Error("recheck", "err", err)
			continue
		}
		var nd *pipeline.NoDataError
		if err := s.produce(ctx, r, st.Due[k]); err != nil && !errors.As(err, &nd) {
			s.log.Error("recheck failed", "report", r.kind, "period", r.period(), "err", err)
		}
	}
}
