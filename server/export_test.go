package server

// Patterns lists the patterns of every endpoint s serves but the
// dashboard's files, for the tests to check they try them all.
func Patterns(s *Server) []string {
	var out []string
	for _, rt := range s.apiRoutes() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}
