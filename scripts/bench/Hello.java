/** The JVM's own floor: start, print one line, exit. bench-start measures it beside minivmm. */
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
