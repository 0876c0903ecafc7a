package cngp

// Active_Test, Exit and their responses are a bare 16-byte header in every
// implementation read.
type (
	ActiveTest     struct{}
	ActiveTestResp struct{}
	Exit           struct{}
	ExitResp       struct{}
)

func (*ActiveTest) CommandID() uint32     { return CmdActiveTest }
func (*ActiveTestResp) CommandID() uint32 { return CmdActiveTestResp }
func (*Exit) CommandID() uint32           { return CmdExit }
func (*ExitResp) CommandID() uint32       { return CmdExitResp }

func (*ActiveTest) Marshal(dst []byte, _ Version) ([]byte, error)     { return dst, nil }
func (*ActiveTestResp) Marshal(dst []byte, _ Version) ([]byte, error) { return dst, nil }
func (*Exit) Marshal(dst []byte, _ Version) ([]byte, error)           { return dst, nil }
func (*ExitResp) Marshal(dst []byte, _ Version) ([]byte, error)       { return dst, nil }

// Bodyless PDUs ignore trailing bytes: being strict here would drop a
// working link over padding.
func (*ActiveTest) Unmarshal([]byte, Version) error     { return nil }
func (*ActiveTestResp) Unmarshal([]byte, Version) error { return nil }
func (*Exit) Unmarshal([]byte, Version) error           { return nil }
func (*ExitResp) Unmarshal([]byte, Version) error       { return nil }
