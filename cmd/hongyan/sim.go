package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"hongyan/internal/proto/cmpp"
	"hongyan/internal/proto/cngp"
	"hongyan/internal/proto/smpp"
	"hongyan/internal/sim"
)

func runSim(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	proto := fs.String("proto", "cmpp3", "protocol: cmpp3, cmpp2, sgip, smgp3, cngp2, cngp1, smpp34, smpp33")
	listen := fs.String("listen", "127.0.0.1:7890", "listen address")
	account := fs.String("account", "", "CMPP: accept only this Source_Addr (SP_Id), empty = any; SMPP: the system_id")
	secret := fs.String("secret", "secret", "shared secret of the account")
	latency := fs.Duration("latency", 0, "delay before answering each submit")
	reject := fs.Float64("reject", 0, "share of submits refused (0..1)")
	rejectCode := fs.Uint("reject-code", 0, "result code of refused submits [CMPP 8 flow control, SMPP 0x58 throttled]")
	reportDelay := fs.Duration("report-delay", 500*time.Millisecond, "delay from submit to status report")
	mix := fs.String("report-mix", "DELIVRD:1", "status report outcomes and weights, e.g. DELIVRD:0.95,UNDELIV:0.05")
	noReports := fs.Bool("no-reports", false, "never send status reports")
	spAddr := fs.String("sp-addr", "", "SGIP: the SP's receiver address the SMG connects back to for MO and reports")
	spLogin := fs.String("sp-login", "", "SGIP: login name of the SMG's bind to the SP [--account]")
	spPassword := fs.String("sp-password", "", "SGIP: password of the SMG's bind to the SP [--secret]")
	nodeID := fs.Uint("node-id", 0, "SGIP: the SMG's node id in sequence numbers [101001]")
	moEvery := fs.Duration("mo-every", 0, "send an MO this often (0 = never)")
	moFrom := fs.String("mo-from", "13800138000", "sender of generated MO")
	moTo := fs.String("mo-to", "10658000", "service code of generated MO")
	moText := fs.String("mo-text", "收到，谢谢", "text of generated MO")
	level := fs.String("log", "info", "log level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reject < 0 || *reject > 1 {
		return fmt.Errorf("--reject %g: want a share between 0 and 1", *reject)
	}
	rm, err := sim.ParseMix(*mix)
	if err != nil {
		return err
	}
	log := newLogger(*level, "text")
	simCfg := sim.Config{Latency: *latency, RejectRatio: *reject, RejectCode: uint32(*rejectCode),
		ReportDelay: *reportDelay, ReportMix: rm, NoReports: *noReports}
	var s interface {
		Listen(string) error
		Addr() string
		Close(context.Context) error
		Stats() sim.Stats
		SendMO(ctx context.Context, from, to, text string) error
	}
	switch *proto {
	case "cmpp3", "cmpp30", "cmpp2", "cmpp20":
		cfg := sim.CMPPConfig{Version: cmpp.V30, Logger: log, Config: simCfg}
		if strings.HasPrefix(*proto, "cmpp2") {
			cfg.Version = cmpp.V20
		}
		if *account != "" {
			cfg.Accounts = map[string]string{*account: *secret}
		}
		s = sim.NewCMPP(cfg)
	case "smgp3", "smgp30", "smgp2", "smgp20", "smgp13":
		if *account == "" {
			return fmt.Errorf("--proto %s needs --account (ClientID) and --secret", *proto)
		}
		s = sim.NewSMGP(sim.SMGPConfig{Config: simCfg, Logger: log, Accounts: map[string]string{*account: *secret}})
	case "cngp2", "cngp20", "cngp1", "cngp10":
		if *account == "" {
			return fmt.Errorf("--proto %s needs --account (ClientID) and --secret", *proto)
		}
		// cngp1 is a 1.0-only SMGW: it refuses 2.0 logins with status 22.
		v := cngp.V20
		if strings.HasPrefix(*proto, "cngp1") {
			v = cngp.V10
		}
		s = sim.NewCNGP(sim.CNGPConfig{Config: simCfg, Version: v, Logger: log, Accounts: map[string]string{*account: *secret}})
	case "sgip", "sgip12":
		if *account == "" {
			return fmt.Errorf("--proto %s needs --account (the SP's LoginName) and --secret", *proto)
		}
		if *spAddr == "" {
			log.Warn("no --sp-addr: status reports and MO have nowhere to go")
		}
		if *nodeID > 0xFFFFFFFF {
			return fmt.Errorf("--node-id %d: does not fit 32 bits", *nodeID)
		}
		cfg := sim.SGIPConfig{Config: simCfg, Logger: log, Accounts: map[string]string{*account: *secret},
			SPAddr: *spAddr, SPLogin: *spLogin, SPPassword: *spPassword, NodeID: uint32(*nodeID)}
		if cfg.SPLogin == "" {
			cfg.SPLogin = *account
		}
		if cfg.SPPassword == "" {
			cfg.SPPassword = *secret
		}
		s = sim.NewSGIP(cfg)
	case "smpp34", "smpp33":
		if *account == "" {
			return fmt.Errorf("--proto %s needs --account (system_id) and --secret (password, up to 8 characters)", *proto)
		}
		cfg := sim.SMPPConfig{Version: smpp.V34, Logger: log, Config: simCfg, Accounts: map[string]string{*account: *secret}}
		if *proto == "smpp33" {
			cfg.Version = smpp.V33
		}
		s = sim.NewSMPP(cfg)
	default:
		return fmt.Errorf("--proto %q: this build simulates cmpp3, cmpp2, sgip, smgp3 (serving 2.0 and 1.3 too), cngp2 (serving 1.0 too), cngp1, smpp34 and smpp33", *proto)
	}
	if err := s.Listen(*listen); err != nil {
		return err
	}
	log.Info("simulator listening", "proto", *proto, "addr", s.Addr())
	var tick <-chan time.Time
	if *moEvery > 0 {
		t := time.NewTicker(*moEvery)
		defer t.Stop()
		tick = t.C
	}
	stats := time.NewTicker(10 * time.Second)
	defer stats.Stop()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return s.Close(sctx)
		case <-tick:
			if err := s.SendMO(ctx, *moFrom, *moTo, *moText); err != nil {
				log.Warn("MO not sent", "err", err)
			}
		case <-stats.C:
			st := s.Stats()
			log.Info("simulator stats", "submits", st.Submits, "rejected", st.Rejected, "reports", st.Reports, "mo", st.MO)
		}
	}
}
