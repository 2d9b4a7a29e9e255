/// Common first and last names from many origins, combined at random: invented people, never real
/// records. Doctors' names come from the same last names.
enum PersonNames {
    static let female = ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
                         "Maria", "Ana", "Sofia", "Isabella", "Emma", "Olivia", "Amelia", "Grace", "Chloe", "Hannah",
                         "Fatima", "Aisha", "Mariam", "Priya", "Ananya", "Mei", "Yuki", "Hana", "Chen", "Ngozi",
                         "Amara", "Zainab", "Leila", "Elena", "Ingrid", "Astrid", "Camille", "Lucia", "Rosa", "Carmen",
                         "Joan", "Margaret", "Dorothy", "Helen", "Ruth", "Anne", "Claire", "Fiona", "Siobhan", "Niamh",
                         "Keisha", "Tamika", "Lakshmi", "Deepa", "Oluwaseun", "Adaeze", "Irina", "Olga", "Agnieszka", "Beatriz"]
    static let male = ["James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Charles",
                       "Daniel", "Matthew", "Anthony", "Mark", "Paul", "Steven", "Andrew", "Kevin", "Brian", "George",
                       "Mohammed", "Ahmed", "Omar", "Yusuf", "Ali", "Rahul", "Arjun", "Sanjay", "Wei", "Hiroshi",
                       "Kenji", "Jin", "Chinedu", "Kwame", "Tunde", "Luis", "Carlos", "Javier", "Miguel", "Pedro",
                       "Lars", "Sven", "Pierre", "Luca", "Marco", "Dmitri", "Piotr", "Tomasz", "Sean", "Patrick",
                       "Liam", "Noah", "Ethan", "Oliver", "Jamal", "Darnell", "Mateo", "Diego", "Emeka", "Ivan"]
    static let last = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
                       "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
                       "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
                       "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
                       "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
                       "Patel", "Shah", "Khan", "Singh", "Kumar", "Chen", "Wang", "Li", "Zhang", "Kim",
                       "Park", "Tanaka", "Sato", "Okafor", "Adeyemi", "Mensah", "Diallo", "Haddad", "Nasser", "Cohen",
                       "Murphy", "O'Brien", "Kelly", "Byrne", "Morton", "Novak", "Kowalski", "Ivanova", "Petrov", "Jensen",
                       "Larsen", "Rossi", "Bianchi", "Dubois", "Moreau", "Silva", "Santos", "Costa", "Fischer", "Weber"]
}
