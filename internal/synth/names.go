package synth

// Built-in word lists. They are modest on purpose: realistic enough that a
// report reads like a district's, with the repeats (two "Smith"s teaching
// "Math 7" in one school) real districts have.

var firstNames = []string{
	"Aaliyah", "Aaron", "Abigail", "Adam", "Adrian", "Aiden", "Alejandro", "Alexander", "Alexis", "Alice",
	"Alyssa", "Amara", "Amelia", "Ana", "Andrew", "Angel", "Anna", "Anthony", "Aria", "Ashley",
	"Ava", "Benjamin", "Brandon", "Brianna", "Caleb", "Camila", "Carlos", "Carter", "Charlotte", "Chloe",
	"Christopher", "Daniel", "David", "Diego", "Dylan", "Elena", "Elijah", "Elizabeth", "Ella", "Emily",
	"Emma", "Ethan", "Evelyn", "Fatima", "Gabriel", "Grace", "Hannah", "Harper", "Hazel", "Henry",
	"Hiroshi", "Ian", "Isabella", "Isaiah", "Jack", "Jacob", "James", "Jasmine", "Jayden", "Jessica",
	"John", "Jordan", "Jose", "Joseph", "Joshua", "Julia", "Kai", "Kayla", "Kevin", "Layla",
	"Leah", "Liam", "Lily", "Logan", "Lucas", "Luis", "Madison", "Malik", "Maria", "Mason",
	"Mateo", "Matthew", "Maya", "Mia", "Michael", "Mohammed", "Natalie", "Nathan", "Noah", "Nora",
	"Olivia", "Omar", "Priya", "Rachel", "Ryan", "Samuel", "Sarah", "Sofia", "Sophia", "Steve",
	"Taylor", "Thomas", "Tyler", "Valentina", "Victoria", "William", "Wei", "Xavier", "Yusuf", "Zoe",
}

var middleInitials = []string{
	"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "W",
}

var lastNames = []string{
	"Adams", "Ahmed", "Allen", "Alvarez", "Anderson", "Baker", "Bailey", "Becker", "Bell", "Bennett",
	"Bradtke", "Brooks", "Brown", "Butler", "Campbell", "Carter", "Castillo", "Chen", "Clark", "Collins",
	"Cook", "Cooper", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Fischer", "Flores", "Foster",
	"Garcia", "Glover", "Gomez", "Gonzalez", "Gray", "Green", "Gupta", "Hall", "Harris", "Hauck",
	"Hernandez", "Hill", "Howard", "Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly",
	"Kim", "King", "Lakin", "Lee", "Lewis", "Lopez", "Martin", "Martinez", "Mendoza", "Miller",
	"Mitchell", "Moore", "Morales", "Morgan", "Murphy", "Nguyen", "Nelson", "Okafor", "Ortiz", "Parker",
	"Patel", "Perez", "Peterson", "Phillips", "Price", "Ramirez", "Reed", "Reyes", "Richardson", "Rivera",
	"Roberts", "Robinson", "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez", "Sanders", "Scott", "Shah",
	"Singh", "Smith", "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Tran", "Turner",
	"Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wisoky", "Wood", "Wright", "Young",
	"Yamamoto", "Zhang", "Ziemann",
}

// districtNames pairs a district's name with the slug of its email domain.
var districtNames = []struct{ name, slug string }{
	{"Maple Valley", "maplevalley"}, {"Riverside", "riverside"}, {"Cedar Falls", "cedarfalls"},
	{"Lakewood", "lakewood"}, {"Pine Ridge", "pineridge"}, {"Fairview", "fairview"},
	{"Oak Hills", "oakhills"}, {"Springfield", "springfield"}, {"Brookside", "brookside"},
	{"Harbor Point", "harborpoint"}, {"Silver Creek", "silvercreek"}, {"Westfield", "westfield"},
}

var districtKinds = []string{"School District", "Unified School District", "Public Schools", "Independent School District"}

// schoolStems and schoolPlaces combine into more than 2,000 school names
// per level, enough for an XL district without a repeat.
var schoolStems = []string{
	"Lincoln", "Washington", "Jefferson", "Roosevelt", "Franklin", "Kennedy", "Madison", "Adams",
	"Jackson", "Monroe", "Hamilton", "Lafayette", "Edison", "Carver", "Douglass", "Tubman",
	"Chavez", "King", "Parks", "Hawthorne", "Emerson", "Whitman", "Thoreau", "Dickinson",
	"Audubon", "Muir", "Earhart", "Curie", "Einstein", "Sequoyah", "Pocahontas", "Sacagawea",
	"Oakwood", "Maplewood", "Willow", "Cedar", "Pine", "Aspen", "Birch", "Cypress",
	"Sunset", "Sunrise", "Meadow", "Prairie", "Canyon", "Mesa", "Summit", "Valley",
	"Lakeside", "Riverview", "Bayview", "Hillcrest", "Fairmont", "Glenwood", "Brookfield", "Greenfield",
	"Highland", "Northgate", "Southgate", "Eastside", "Westside", "Central", "Heritage", "Liberty",
	"Pioneer", "Frontier", "Horizon", "Discovery", "Explorer", "Mariner", "Harbor", "Island",
	"Cardinal", "Eagle", "Falcon", "Hawk", "Heron", "Osprey", "Sparrow", "Wren",
}

var schoolPlaces = []string{
	"", " Park", " Heights", " Hills", " Grove", " Ridge", " Creek", " Springs", " Meadows", " Woods",
	" Lake", " Point", " Crossing", " Gardens", " Terrace", " Station", " Village", " Commons", " Fields", " Trail",
	" Bluff", " Hollow", " Landing", " Glen", " Vista",
}

var streets = []string{
	"Main St", "Oak Ave", "Maple Dr", "Elm St", "Park Blvd", "School Rd", "Washington Ave", "Lincoln Way",
	"Cedar Ln", "Pine St", "Hillside Ave", "River Rd", "Lake Dr", "College Ave", "Church St", "Mill Rd",
	"Highland Ave", "Sunset Blvd", "Valley View Rd", "Spring St", "Forest Ave", "Meadow Ln", "Academy St", "Union St",
}

var cities = []string{
	"Springfield", "Riverton", "Fairview", "Georgetown", "Salem", "Madison", "Clinton", "Franklin",
	"Greenville", "Bristol", "Oakland", "Ashland", "Milton", "Newport", "Dover", "Burlington",
}

// states pairs a state with a plausible telephone area code.
var states = []struct{ code, area string }{
	{"NY", "212"}, {"CA", "415"}, {"TX", "512"}, {"IL", "312"}, {"WA", "206"},
	{"MA", "617"}, {"GA", "404"}, {"CO", "303"}, {"OH", "614"}, {"NC", "919"},
}

// Student demographics, with repeats standing in for weights.
var (
	genders = []string{
		"F", "M", "F", "M", "F", "M", "F", "M", "F", "M", "F", "M", "F", "M", "F", "M", "F", "M", "F", "M",
		"F", "M", "F", "M", "X", "",
	}
	races = []string{
		"Caucasian", "Caucasian", "Caucasian", "Caucasian", "Black or African American", "Black or African American",
		"Black or African American", "Asian", "Asian", "Two or More Races", "Two or More Races",
		"American Indian", "Hawaiian or Other Pacific Islander", "",
	}
	yesNo          = []string{"Y", "N", "N", "N", "N", "N", "N", ""}
	hispanic       = []string{"Y", "Y", "N", "N", "N", "N", "N", ""}
	homeLanguages  = []string{"English", "English", "English", "English", "English", "English", "English", "English", "English", "Spanish", "Spanish", "Chinese", "Vietnamese", "Arabic", "Somali", "Russian", ""}
	ellStatuses    = []string{"N", "N", "N", "N", "N", "N", "N", "Y", "Y", ""}
	programValues  = []string{"Y", "N", "N", "N", ""}
	photoConsents  = []map[string]string{{"photo_consent": "Y"}, {"photo_consent": "Y"}, {"photo_consent": "N"}}
	teacherSupport = []string{
		"Special Education Teacher", "Special Education Teacher", "ELL Teacher", "Reading Specialist",
		"Math Interventionist", "Instructional Coach", "Librarian", "Gifted and Talented Teacher", "",
	}
	adminTitles = []string{"Director of Technology", "Data Manager", "Superintendent", "Director of Curriculum", "", "SIS Coordinator"}
)

// staffTitles are handed out per school in this order, so every school
// gets a principal before any school gets a second counselor.
var staffTitles = []struct{ title, department string }{
	{"Principal", "Administration"}, {"Assistant Principal", "Administration"}, {"Counselor", "Counseling"},
	{"Office Manager", "Office"}, {"School Nurse", "Health"}, {"Registrar", "Office"},
	{"Counselor", "Counseling"}, {"Dean of Students", "Administration"}, {"Psychologist", "Student Services"},
	{"Secretary", "Office"},
}

// Contact relationships, Clever's enums.
var (
	guardianRelations = []string{"Parent", "Parent", "Parent", "Parent", "Grandparent", "Aunt/Uncle", "Other"}
	otherRelations    = []string{"Parent", "Parent", "Grandparent", "Grandparent", "Aunt/Uncle", "Sibling", "Other", ""}
	otherTypes        = []string{"Parent/Guardian", "Emergency", "Emergency", "Family", "Secondary", "Other", ""}
	phoneTypes        = []string{"Cell", "Cell", "Cell", "Home", "Home", "Work", "Other", ""}
)
