package clever

// The wire types' fast decoders, one per type, each mirroring the type's
// json tags in users.go, sections.go and schools.go: a field added there
// must be added here, or it is skipped as unknown. TestFastDecodeFields
// fails when the two disagree.

// roleSlabs are a page's role allocations, and its string arrays'.
type roleSlabs struct {
	student slab[StudentRole]
	teacher slab[TeacherRole]
	staff   slab[StaffRole]
	admin   slab[DistrictAdminRole]
	contact slab[ContactRole]
	strs    stringSlab
}

func (r *roleSlabs) reset() {
	r.student.reset()
	r.teacher.reset()
	r.staff.reset()
	r.admin.reset()
	r.contact.reset()
	r.strs.reset()
}

func (s *scanner) user(u *User) {
	if !s.open() {
		*u = User{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "id":
			s.kept(&u.ID)
		case "district":
			s.common(&u.District)
		case "email":
			s.kept(&u.Email)
		case "name":
			s.personName(&u.Name)
		case "roles":
			s.userRoles(&u.Roles)
		case "created":
			s.str(&u.Created)
		case "last_modified":
			s.str(&u.LastModified)
		default:
			s.skip()
		}
	}
}

func (s *scanner) personName(v *Name) {
	if !s.open() {
		*v = Name{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "first":
			s.kept(&v.First)
		case "middle":
			s.kept(&v.Middle)
		case "last":
			s.kept(&v.Last)
		default:
			s.skip()
		}
	}
}

func (s *scanner) userRoles(r *Roles) {
	if !s.open() {
		*r = Roles{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "student":
			r.Student = ptr(s, r.Student, &s.slabs.student, (*scanner).student)
		case "teacher":
			r.Teacher = ptr(s, r.Teacher, &s.slabs.teacher, (*scanner).teacher)
		case "staff":
			r.Staff = ptr(s, r.Staff, &s.slabs.staff, (*scanner).staff)
		case "district_admin":
			r.DistrictAdmin = ptr(s, r.DistrictAdmin, &s.slabs.admin, (*scanner).districtAdmin)
		case "contact":
			r.Contact = ptr(s, r.Contact, &s.slabs.contact, (*scanner).contact)
		default:
			s.skip()
		}
	}
}

func (s *scanner) credentials(c *Credentials) {
	if !s.open() {
		*c = Credentials{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		if string(name) == "district_username" {
			s.str(&c.DistrictUsername)
			continue
		}
		s.skip()
	}
}

func (s *scanner) student(r *StudentRole) {
	if !s.open() {
		*r = StudentRole{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "sis_id":
			s.kept(&r.SISID)
		case "student_number":
			s.str(&r.StudentNumber)
		case "state_id":
			s.kept(&r.StateID)
		case "legacy_id":
			s.str(&r.LegacyID)
		case "credentials":
			s.credentials(&r.Credentials)
		case "email":
			s.str(&r.Email)
		case "dob":
			s.str(&r.DOB)
		case "gender":
			s.common(&r.Gender)
		case "grade":
			s.common(&r.Grade)
		case "graduation_year":
			s.common(&r.GraduationYear)
		case "race":
			s.common(&r.Race)
		case "hispanic_ethnicity":
			s.common(&r.HispanicEthnicity)
		case "ell_status":
			s.common(&r.ELLStatus)
		case "home_language":
			s.common(&r.HomeLanguage)
		case "home_language_code":
			s.common(&r.HomeLanguageCode)
		case "iep_status":
			s.common(&r.IEPStatus)
		case "section_504_status":
			s.common(&r.Section504Status)
		case "frl_status":
			s.common(&r.FRLStatus)
		case "gifted_status":
			s.common(&r.GiftedStatus)
		case "school":
			s.common(&r.School)
		case "schools":
			s.strings(&r.Schools, (*scanner).common)
		case "enrollments":
			structs(s, &r.Enrollments, (*scanner).enrollment)
		case "location":
			s.location(&r.Location)
		case "ext":
			s.ext((*[]byte)(&r.Ext))
		default:
			s.skip()
		}
	}
}

func (s *scanner) enrollment(e *SchoolEnrollment) {
	if !s.open() {
		*e = SchoolEnrollment{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "school":
			s.common(&e.School)
		case "start_date":
			s.str(&e.StartDate)
		case "end_date":
			s.str(&e.EndDate)
		default:
			s.skip()
		}
	}
}

func (s *scanner) location(l *Location) {
	if !s.open() {
		*l = Location{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "address":
			s.str(&l.Address)
		case "city":
			s.str(&l.City)
		case "state":
			s.str(&l.State)
		case "zip":
			s.str(&l.Zip)
		case "lat":
			s.str(&l.Lat)
		case "lon":
			s.str(&l.Lon)
		default:
			s.skip()
		}
	}
}

func (s *scanner) teacher(r *TeacherRole) {
	if !s.open() {
		*r = TeacherRole{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "sis_id":
			s.kept(&r.SISID)
		case "teacher_number":
			s.str(&r.TeacherNumber)
		case "state_id":
			s.kept(&r.StateID)
		case "legacy_id":
			s.str(&r.LegacyID)
		case "title":
			s.common(&r.Title)
		case "credentials":
			s.credentials(&r.Credentials)
		case "school":
			s.common(&r.School)
		case "schools":
			s.strings(&r.Schools, (*scanner).common)
		case "ext":
			s.ext((*[]byte)(&r.Ext))
		default:
			s.skip()
		}
	}
}

func (s *scanner) staff(r *StaffRole) {
	if !s.open() {
		*r = StaffRole{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "staff_id":
			s.kept(&r.StaffID)
		case "legacy_id":
			s.str(&r.LegacyID)
		case "title":
			s.common(&r.Title)
		case "department":
			s.common(&r.Department)
		case "roles":
			s.strings(&r.Roles, (*scanner).common)
		case "credentials":
			s.credentials(&r.Credentials)
		case "schools":
			s.strings(&r.Schools, (*scanner).common)
		case "ext":
			s.ext((*[]byte)(&r.Ext))
		default:
			s.skip()
		}
	}
}

func (s *scanner) districtAdmin(r *DistrictAdminRole) {
	if !s.open() {
		*r = DistrictAdminRole{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "title":
			s.common(&r.Title)
		case "legacy_id":
			s.str(&r.LegacyID)
		default:
			s.skip()
		}
	}
}

func (s *scanner) contact(r *ContactRole) {
	if !s.open() {
		*r = ContactRole{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "sis_id":
			s.kept(&r.SISID)
		case "legacy_id":
			s.str(&r.LegacyID)
		case "phone":
			s.kept(&r.Phone)
		case "phone_type":
			s.common(&r.PhoneType)
		case "student_relationships":
			structs(s, &r.StudentRelationships, (*scanner).relationship)
		default:
			s.skip()
		}
	}
}

func (s *scanner) relationship(r *StudentRelationship) {
	if !s.open() {
		*r = StudentRelationship{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "student":
			s.str(&r.Student)
		case "relationship":
			s.common(&r.Relationship)
		case "type":
			s.common(&r.Type)
		default:
			s.skip()
		}
	}
}

func (s *scanner) section(v *Section) {
	if !s.open() {
		*v = Section{}
		return
	}
	for n := 0; ; {
		name, ok := s.member(&n)
		if !ok {
			return
		}
		switch string(name) {
		case "id":
			s.kept(&v.ID)
		case "district":
			s.common(&v.District)
		case "school":
			s.common(&v.School)
		case "course":
			s.common(&v.Course)
		case "term_id":
			s.common(&v.TermID)
		case "name":
			s.kept(&v.Name)
		case "sis_id":
			s.kept(&v.SISID)
		case "section_number":
			s.kept(&v.SectionNumber)
		case "period":
			s.common(&v.Period)
		case "grade":
			s.common(&v.Grade)
		case "subject":
			s.common(&v.Subject)
		case "teacher":
			s.userID(&v.Teacher)
		case "teachers":
			s.strings(&v.Teachers, (*scanner).userID)
		case "students":
			s.strings(&v.Students, (*scanner).userID)
		case "ext":
			s.ext((*[]byte)(&v.Ext))
		case "created":
			s.str(&v.Created)
		case "last_modified":
			s.str(&v.LastModified)
		default:
			s.skip()
		}
	}
}
