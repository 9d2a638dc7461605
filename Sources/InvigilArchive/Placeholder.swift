import Invigil
