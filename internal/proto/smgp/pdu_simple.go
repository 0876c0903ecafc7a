package smgp

// Active_Test, Exit and their responses have no body in any version.
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
// working link over padding (CMPP-style peers add a reserved byte).
func (*ActiveTest) Unmarshal([]byte, Version) error     { return nil }
func (*ActiveTestResp) Unmarshal([]byte, Version) error { return nil }
func (*Exit) Unmarshal([]byte, Version) error           { return nil }
func (*ExitResp) Unmarshal([]byte, Version) error       { return nil }
